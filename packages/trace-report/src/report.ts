import { REPORT_FORMAT, REPORT_VERSION, type PassTrace, type TraceReport } from './schema.js';

/** Assembles a report of the current version from its passes and the comparison figures. */
export function buildReport(r: Omit<TraceReport, 'format' | 'version' | 'roofline' | 'comparison'> & Partial<Pick<TraceReport, 'roofline' | 'comparison'>>): TraceReport {
  return { format: REPORT_FORMAT, version: REPORT_VERSION, roofline: [], comparison: [], ...r, passes: r.passes.map((p: PassTrace) => p) };
}
