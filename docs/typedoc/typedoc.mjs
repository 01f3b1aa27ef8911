#!/usr/bin/env node
// Runs this package's typedoc (which resolves its own typescript 6.0 from
// here, not the root's typescript 7) with the command-line arguments given.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const typedocRoot = dirname(createRequire(import.meta.url).resolve('typedoc/package.json'));
await import(pathToFileURL(join(typedocRoot, 'bin', 'typedoc')).href);
