/** What `f` throws (a spec helper: the error's message, culprit and cause are then asserted); fails when nothing is thrown. */
export function thrown<E extends Error = Error>(f: () => unknown): E {
  try {
    f();
  } catch (e) {
    return e as E;
  }
  throw new Error('expected a throw');
}
