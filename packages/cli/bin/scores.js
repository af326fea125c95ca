#!/usr/bin/env node
// The installable `scores` bin: runs the TypeScript entry through tsx's loader.
import { register } from 'tsx/esm/api';
register();
await import('../src/bin.ts');
