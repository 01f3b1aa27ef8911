/**
 * Typed errors for everything a user can get wrong: a bad file, a bad shape, a
 * bad option. The CLI prints `error.message` as one line and exits with code 2;
 * any other exception is a bug in scratchnet and keeps its stack trace.
 */

/** Base class of the errors caused by user input rather than by a bug. */
export class ScratchnetError extends Error {
  /** `options.cause`: the underlying error, e.g. Node's for a file that cannot be written. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/**
 * A data file is missing, unreadable or malformed, or a file cannot be
 * written (a full disk, a read-only folder). The message starts with the
 * file name and the line (`mnist_train.csv:1042: ...`) or byte offset
 * (`train-images-idx3-ubyte: byte 16: ...`).
 */
export class DataError extends ScratchnetError {}

/** Two tensors that must agree in shape do not (expected vs got in the message). */
export class ShapeError extends ScratchnetError {}

/** An option or constructor argument is out of range: `--lr must be a positive number, got -1`. */
export class ConfigError extends ScratchnetError {}

/**
 * A model file (safetensors) is malformed, corrupt or describes another model.
 * The message starts with the file name and, where one applies, the byte offset
 * (`model.safetensors: byte 8: header is not valid JSON, expected …, got …`).
 */
export class ModelFileError extends ScratchnetError {}
