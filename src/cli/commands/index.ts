import type { Command } from '../command.js';
import { checkwxCommand } from './checkwx.js';
import { findCommand } from './find.js';
import { infoCommand } from './info.js';
import { leavesCommand } from './leaves.js';
import { ptdumpCommand } from './ptdump.js';
import { readCommand } from './read.js';
import { translateCommand } from './translate.js';
import { viewCommand } from './view.js';

/** Every command, in the order `pagewalk --help` lists them. */
export const COMMANDS: readonly Command[] = [ptdumpCommand, checkwxCommand, leavesCommand, translateCommand, infoCommand, readCommand, findCommand, viewCommand];
