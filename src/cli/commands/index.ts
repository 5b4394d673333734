import type { Command } from '../command.js';
import { checkwxCommand } from './checkwx.js';
import { leavesCommand } from './leaves.js';
import { ptdumpCommand } from './ptdump.js';
import { translateCommand } from './translate.js';
import { viewCommand } from './view.js';

/** Every command, in the order `pagewalk --help` lists them. */
export const COMMANDS: readonly Command[] = [ptdumpCommand, checkwxCommand, leavesCommand, translateCommand, viewCommand];
