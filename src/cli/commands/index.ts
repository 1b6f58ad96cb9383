import type { Command } from 'commander';
import { register as apply } from './apply.js';
import { register as demo } from './demo.js';
import { register as discover } from './discover.js';
import { register as constrain } from './constrain.js';
import { register as revenue } from './revenue.js';
import { register as plan } from './plan.js';
import { register as runs } from './runs.js';
import { register as status } from './status.js';
import { register as undo } from './undo.js';
import { register as verify } from './verify.js';
import { register as review } from './review.js';
import { register as report } from './report.js';
import { register as masters } from './masters.js';
import { register as guard } from './guard.js';
import { register as drift } from './drift.js';

/** Every command, in the order of the flow (one line each). */
export const COMMANDS: ((program: Command) => void)[] = [
  discover,
  status,
  plan,
  apply,
  verify,
  constrain,
  revenue,
  undo,
  runs,
  demo,
  review,
  masters,
  report,
  guard,
  drift,
];
