/** What the page's scripts share about the DOM. */

/** The element of index.html with this id; a missing one is a bug in the page, so it throws rather than return null. */
export const $ = <T extends Element = HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`index.html has no #${id}`);
  return el as unknown as T;
};
