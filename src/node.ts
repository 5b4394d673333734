/**
 * pagewalk/node: the Node-only entry. Opens dump files by path and reads
 * their pages on demand (a 64 GiB vmcore in a small heap); everything else
 * is in the core entry, 'pagewalk', which uses no Node APIs.
 */
export { openDumpFile, type OpenDumpOptions, type OpenedDump } from './node/open-dump.js';
