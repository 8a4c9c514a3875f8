/**
 * The statement parts on the workflows' tables that other features run inside statements of their own, and only
 * these: each is written, and its effect on a run described, where its table's other statements are.
 *
 * - `STEP_START`: a step task's start marks its step `running`, inside the tasks' start statement.
 */
export { STEP_START } from './persistence/run-step-rows';
