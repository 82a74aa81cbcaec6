/**
 * Stands in a FIFO for a payload that a worker computes (or has computed): the id of the
 * offloaded kernel task and its output port. See KernelOffload.
 */
export class PayloadHandle {
  constructor(
    readonly task: number,
    readonly port: string,
  ) {}
}
