// The accuracy thread (accuracyProxyAsync): computes the proxy for each request, in order.
import { parentPort } from 'node:worker_threads';
import { accuracyProxy, type AccuracyAnswer, type AccuracyRequest } from './accuracy.js';

parentPort!.on('message', (m: AccuracyRequest) => {
  let answer: AccuracyAnswer;
  try {
    answer = { id: m.id, result: accuracyProxy(m.vq, m.variant, m.calib) };
  } catch (e) {
    answer = { id: m.id, error: e instanceof Error ? e.message : String(e) };
  }
  parentPort!.postMessage(answer);
});
