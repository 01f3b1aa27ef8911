/**
 * The page's tabs (the WAI-ARIA tabs pattern): buttons with role="tab" in a
 * role="tablist", each showing the panel its aria-controls names. Arrow
 * keys, Home and End move between tabs; the chosen tab is in the URL's hash
 * (`#plane`), so a link or a reload opens it.
 */

/** Wires the tabs of `list`; the tab whose data-hash is the URL's hash is shown first, else the first tab. */
export function setUpTabs(list: HTMLElement): void {
  const tabs = Array.from(list.querySelectorAll<HTMLButtonElement>('[role="tab"]'));
  const panelOf = (tab: HTMLElement): HTMLElement | null => document.getElementById(tab.getAttribute('aria-controls') ?? '');

  const select = (chosen: HTMLButtonElement, focus: boolean): void => {
    for (const tab of tabs) {
      const on = tab === chosen;
      tab.setAttribute('aria-selected', String(on));
      // Only the chosen tab is in the Tab order; the arrows reach the others.
      tab.tabIndex = on ? 0 : -1;
      const panel = panelOf(tab);
      if (panel !== null) panel.hidden = !on;
    }
    if (focus) chosen.focus();
    // replaceState, not location.hash: no jump to an element of that id, no history entry per click.
    const hash = chosen === tabs[0] ? '' : `#${chosen.dataset.hash ?? ''}`;
    if (location.hash !== hash) history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  };

  const fromHash = (): HTMLButtonElement => tabs.find((t) => `#${t.dataset.hash}` === location.hash) ?? tabs[0];
  for (const tab of tabs) tab.addEventListener('click', () => select(tab, false));
  list.addEventListener('keydown', (e) => {
    const at = tabs.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const to = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    select(tabs[(to + tabs.length) % tabs.length], true);
  });
  window.addEventListener('hashchange', () => select(fromHash(), false));
  select(fromHash(), false);
}
