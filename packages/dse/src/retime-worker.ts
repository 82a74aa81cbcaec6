// A re-timing worker (RetimePool; piscina loads this module's compiled .js): one pass task of a group.
import { retimePass, type RetimePassResult, type RetimePassTask } from './retime-group.js';

export default function runRetimeTask(task: RetimePassTask): RetimePassResult {
  return retimePass(task);
}
