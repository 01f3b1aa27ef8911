import { TOY_SETS, type ToyName } from './toy.js';

/**
 * The named data sets and their class names. A model file carries its
 * class names (in its training metadata), so `predict`, `evaluate`, the
 * report and the playground can say "Coat" rather than 4.
 */

/** MNIST's classes: the digits. */
export const MNIST_CLASSES: readonly string[] = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Fashion-MNIST's classes, in label order (Xiao, Rasul and Vollgraf, 2017). */
export const FASHION_MNIST_CLASSES: readonly string[] = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** The data sets `--dataset` names. */
export type DatasetName = 'mnist' | 'fashion-mnist';
export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'fashion-mnist'];

/** What the report and the command line call each named data set, and its classes. */
export const NAMED_DATASETS: Record<DatasetName, { title: string; classes: readonly string[] }> = {
  mnist: { title: 'MNIST', classes: MNIST_CLASSES },
  'fashion-mnist': { title: 'Fashion-MNIST', classes: FASHION_MNIST_CLASSES },
};

/** Class `c`'s name, or the number itself where there are no names (or too few). */
export function className(classes: readonly string[] | undefined, c: number): string {
  return classes?.[c] ?? String(c);
}

/** `classes`, unless each name is just its label's number (MNIST's digits): then the numbers say it all and output keeps its plain form. */
export function namedClasses(classes: readonly string[] | undefined): readonly string[] | undefined {
  return classes === undefined || classes.every((name, c) => name === String(c)) ? undefined : classes;
}

/**
 * The class names a model file's training metadata gives: its `classes`
 * list, else those of the named data set its settings trained on (a
 * checkpoint's), else none.
 */
export function classesOf(training: unknown): readonly string[] | undefined {
  const info = training as { classes?: unknown; settings?: { data?: { kind?: unknown; name?: unknown } } } | null | undefined;
  const classes = info?.classes;
  if (Array.isArray(classes) && classes.length > 0 && classes.every((c) => typeof c === 'string')) return classes as string[];
  const data = info?.settings?.data;
  return data?.kind === 'dataset' && typeof data.name === 'string' && data.name in NAMED_DATASETS ? NAMED_DATASETS[data.name as DatasetName].classes : undefined;
}

/** The title of the data a run's settings name (`settings.data` of history.json): "Fashion-MNIST", "Table", "Image folder", "Spiral", else "MNIST". */
export function datasetTitle(data: unknown): string {
  const d = data as { kind?: unknown; name?: unknown } | null | undefined;
  if (d?.kind === 'table') return 'Table';
  if (d?.kind === 'images') return 'Image folder';
  if (d?.kind === 'toy' && typeof d.name === 'string' && d.name in TOY_SETS) return TOY_SETS[d.name as ToyName].title;
  return d?.kind === 'dataset' && typeof d.name === 'string' && d.name in NAMED_DATASETS ? NAMED_DATASETS[d.name as DatasetName].title : 'MNIST';
}

/** A table model's columns, kept in its training metadata (`{ table: { featureNames, label } }`), if it has them. */
export function tableColumnsOf(training: unknown): { featureNames: string[]; label: string | null } | undefined {
  const t = (training as { table?: { featureNames?: unknown; label?: unknown } } | null | undefined)?.table;
  if (t === undefined || !Array.isArray(t.featureNames) || !t.featureNames.every((n) => typeof n === 'string')) return undefined;
  return { featureNames: t.featureNames as string[], label: typeof t.label === 'string' ? t.label : null };
}
