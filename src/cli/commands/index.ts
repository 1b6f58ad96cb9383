import type { Command } from 'commander';
import { register as apply } from './apply.js';
import { register as demo } from './demo.js';
import { register as plan } from './plan.js';
import { register as runs } from './runs.js';
import { register as status } from './status.js';
import { register as undo } from './undo.js';
import { register as verify } from './verify.js';

/** Every command, in the order of the flow (one line each). */
export const COMMANDS: ((program: Command) => void)[] = [status, plan, apply, verify, undo, runs, demo];
