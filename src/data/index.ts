/** Browser-safe data handling: Dataset, the train/val split, batches, and the IDX and CSV parsers (bytes in, no Node APIs). */
export { gatherBatch, splitTrainVal, subset, type Dataset, type MnistData } from './dataset.js';
export { idxToDataset, parseIdx, type IdxTensor } from './idx.js';
export { MnistCsvParser } from './csv.js';
export { centreByMass, compositeBackground, imageToMnist, DIGIT_BOX, INK_THRESHOLD, MIN_CONTRAST, MNIST_CENTRE, MNIST_SIDE, type RgbaImage } from './image.js';
export { fetchMnist, mnistFileNames } from './fetch.js';
export { className, classesOf, datasetTitle, namedClasses, tableColumnsOf, DATASET_NAMES, FASHION_MNIST_CLASSES, MNIST_CLASSES, NAMED_DATASETS, type DatasetName } from './classes.js';
export { normalization, NORMALIZATIONS, parseTable, tableClasses, tableDataset, type Normalization, type RawTable } from './table.js';
