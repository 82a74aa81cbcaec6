import { BarChart, CustomChart, GraphChart, LineChart, ScatterChart } from 'echarts/charts';
import { DataZoomComponent, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import ELK from 'elkjs/lib/elk.bundled.js';
import { TIMELINE_STATES, type PassTrace, type TraceReport } from '@lut-llm/trace-report/schema';
import { STATE_COLOURS, groupTotals, groupsOf, levelFor, pct, stallShare, stateRuns, type Selection } from './model.ts';

echarts.use([GraphChart, CustomChart, LineChart, BarChart, ScatterChart, GridComponent, TooltipComponent, DataZoomComponent, LegendComponent, MarkLineComponent, CanvasRenderer]);

const charts = new Map<string, echarts.ECharts>();
/**
 * Counter charts follow the timeline's zoom once a pan pauses (not on every step: redrawing
 * them with each step of a drag made panning about twice as slow in headless chromium).
 */
const followers: echarts.ECharts[] = [];
let followTimer: ReturnType<typeof setTimeout> | undefined;
function follow(from: number, to: number): void {
  clearTimeout(followTimer);
  followTimer = setTimeout(() => {
    for (const f of followers) f.dispatchAction({ type: 'dataZoom', dataZoomIndex: 0, startValue: from, endValue: to });
  }, 150);
}
/** The chart in element `id`, created once. Time charts share one zoom group. */
export function chartIn(id: string, zoomGroup = false): echarts.ECharts {
  let c = charts.get(id);
  if (!c) {
    c = echarts.init(document.getElementById(id)!, undefined, { renderer: 'canvas' });
    if (zoomGroup) followers.push(c);
    charts.set(id, c);
    window.addEventListener('resize', () => c!.resize());
  }
  return c;
}

/** Brings every chart to its element's current size (after the page becomes visible). */
export function resizeAll(): void {
  for (const c of charts.values()) c.resize();
}

const elk = new ELK();
/** Layout positions of the drawn graph's nodes, by node name (for tests that click them). */
const nodeAt = new Map<string, [number, number]>();

/** Where node `name` of the task graph is drawn, in pixels from the chart's top left corner. */
export function graphNodePixel(name: string): [number, number] | null {
  const p = nodeAt.get(name);
  if (!p) return null;
  const px = chartIn('graph').convertToPixel({ seriesIndex: 0 }, p) as unknown as [number, number];
  return px ? [px[0], px[1]] : null;
}
let graphSeq = 0;

/**
 * The task graph laid out by elkjs (layered, left to right) and drawn by ECharts: one node per
 * timeline group (a hardware unit, or an actor in small graphs) coloured by stall share, one
 * per shared resource, FIFOs between groups as edges (several FIFOs between the same two
 * groups merge into one edge).
 */
export async function drawGraph(pass: PassTrace, sel: Selection, onSelect: (s: Selection) => void): Promise<void> {
  const seq = ++graphSeq;
  const totals = new Map(groupTotals(pass).map((g) => [g.group, g]));
  const groupOf = new Map(pass.graph.actors.map((a) => [a.name, a.group]));
  const edges = new Map<string, { from: string; to: string; fifos: typeof pass.graph.fifos }>();
  for (const f of pass.graph.fifos) {
    const a = groupOf.get(f.producer);
    const b = groupOf.get(f.consumer);
    if (!a || !b || a === b) continue;
    const key = `${a}->${b}`;
    const e = edges.get(key) ?? { from: a, to: b, fifos: [] };
    (e.fifos as unknown as (typeof f)[]).push(f);
    edges.set(key, e);
  }
  // Resources by group (a whole model has one LUT bank per op and layer: one node for all).
  const resGroups = new Map<string, { name: string; members: typeof pass.graph.resources; groups: Set<string> }>();
  for (const r of pass.graph.resources) {
    if (r.unitsServed <= 0) continue;
    const e = resGroups.get(r.group) ?? { name: r.group, members: [], groups: new Set<string>() };
    (e.members as unknown as (typeof r)[]).push(r);
    for (const u of r.users) if (groupOf.has(u)) e.groups.add(groupOf.get(u)!);
    resGroups.set(r.group, e);
  }
  const resUsers = [...resGroups.values()].map((e) => ({ r: e.members[0]!, name: e.name, members: e.members, groups: [...e.groups] }));
  const layout = await elk.layout({
    id: 'root',
    layoutOptions: { 'elk.algorithm': 'layered', 'elk.direction': 'RIGHT', 'elk.spacing.nodeNode': '24', 'elk.layered.spacing.nodeNodeBetweenLayers': '70' },
    children: [
      ...pass.timeline.groups.map((g) => ({ id: `g:${g}`, width: Math.max(90, g.length * 7), height: 34 })),
      ...resUsers.map(({ name }) => ({ id: `r:${name}`, width: Math.max(90, name.length * 7), height: 26 })),
    ],
    edges: [
      ...[...edges.values()].map((e, i) => ({ id: `e${i}`, sources: [`g:${e.from}`], targets: [`g:${e.to}`] })),
      ...resUsers.flatMap(({ name, groups }) => groups.map((g, i) => ({ id: `r${name}${i}`, sources: [`r:${name}`], targets: [`g:${g}`] }))),
    ],
  });
  if (seq !== graphSeq) return; // a newer drawing started while this one was laid out
  // ECharts fits the layout into the chart but keeps symbol sizes in pixels: scale them alike.
  const el = document.getElementById('graph')!;
  const fit = Math.min(1, (el.clientWidth - 40) / Math.max(1, (layout as { width?: number }).width ?? 1), (el.clientHeight - 40) / Math.max(1, (layout as { height?: number }).height ?? 1));
  const pos = new Map((layout.children ?? []).map((c) => [c.id, { x: (c.x ?? 0) + (c.width ?? 0) / 2, y: (c.y ?? 0) + (c.height ?? 0) / 2, w: (c.width ?? 90) * fit, h: (c.height ?? 30) * fit }]));
  const fontSize = Math.max(8, Math.round(11 * Math.max(fit, 0.75)));
  const hot = groupsOf(pass, sel);
  const colour = (share: number) => `hsl(${Math.round(120 * (1 - Math.min(1, share)))}, 65%, 48%)`;
  const nodes = [
    ...pass.timeline.groups.map((g) => {
      const t = totals.get(g)!;
      const s = stallShare(t); // blocked + contention of its working cycles
      const p = pos.get(`g:${g}`)!;
      return {
        id: `g:${g}`,
        name: g,
        x: p.x,
        y: p.y,
        symbol: 'roundRect',
        symbolSize: [p.w, p.h],
        value: s,
        itemStyle: { color: colour(s), borderColor: sel?.kind === 'group' && sel.name === g ? '#000' : '#fff', borderWidth: sel?.kind === 'group' && sel.name === g ? 3 : 1, opacity: hot && !hot.has(g) ? 0.35 : 1 },
        label: { show: true, color: '#fff', fontSize, formatter: g },
        tooltip: { formatter: `<b>${g}</b> (${t.actors} actor(s))<br>busy ${pct(t.busy / Math.max(1, t.busy + t.starved + t.blocked + t.contention))} of its active cycles, stalled ${pct(s)}<br>starved ${Math.round(t.starved)}, blocked ${Math.round(t.blocked)}, contention ${Math.round(t.contention)} cycles` },
      };
    }),
    ...resUsers.map(({ r, name, members }) => {
      const p = pos.get(`r:${name}`)!;
      const share = pass.cycles > 0 ? Math.max(...members.map((m) => m.busyCycles)) / pass.cycles : 0;
      const selected = sel?.kind === 'resource' && members.some((m) => m.name === sel.name);
      return {
        id: `r:${r.name}`,
        name,
        x: p.x,
        y: p.y,
        symbol: 'rect',
        symbolSize: [p.w, p.h],
        value: share,
        itemStyle: { color: '#fff', borderColor: colour(share), borderWidth: selected ? 4 : 2 },
        label: { show: true, color: '#1d2433', fontSize, formatter: name },
        tooltip: {
          formatter: `<b>${name}</b>${members.length > 1 ? ` (${members.length} resources)` : ''}: ${r.unitsPerCycle} ${r.unit}/cycle peak each<br>busiest busy ${pct(share)} of the pass; requesters queued ${Math.round(members.reduce((a, m) => a + m.contentionCycles, 0))} cycles`,
        },
      };
    }),
  ];
  const links = [
    ...[...edges.values()].map((e) => {
      const worst = [...e.fifos].sort((a, b) => b.fullStallCycles - a.fullStallCycles || b.peakOccupancy - a.peakOccupancy)[0]!;
      const full = e.fifos.reduce((s, f) => s + f.fullStallCycles, 0);
      const label = e.fifos.length === 1 ? `${worst.name} ${worst.peakOccupancy}/${worst.depth}` : `${e.fifos.length} FIFOs, peak ${worst.peakOccupancy}/${worst.depth}`;
      const selected = sel?.kind === 'fifo' && e.fifos.some((f) => f.name === sel.name);
      return {
        source: `g:${e.from}`,
        target: `g:${e.to}`,
        fifo: worst.name,
        lineStyle: { color: full > 0 ? '#d64545' : '#889', width: selected ? 4 : 1.5 },
        label: { show: e.fifos.length === 1, formatter: label, fontSize: 9 },
        tooltip: {
          formatter: `${e.fifos.length} FIFO(s) ${e.from} &rarr; ${e.to}<br>${e.fifos
            .slice(0, 6)
            .map((f) => `${f.name}: depth ${f.depth}, peak ${f.peakOccupancy}, producer blocked ${Math.round(f.fullStallCycles)} cycles`)
            .join('<br>')}${e.fifos.length > 6 ? '<br>...' : ''}`,
        },
      };
    }),
    ...resUsers.flatMap(({ r, groups }) => groups.map((g) => ({ source: `r:${r.name}`, target: `g:${g}`, lineStyle: { type: 'dashed' as const, color: '#bbb', width: 1 }, label: { show: false } }))),
  ];
  nodeAt.clear();
  for (const n of nodes) nodeAt.set(n.name, [n.x, n.y]);
  const c = chartIn('graph');
  c.setOption(
    {
      tooltip: {},
      animation: false,
      series: [{ type: 'graph', layout: 'none', roam: true, data: nodes, links, edgeSymbol: ['none', 'arrow'], edgeSymbolSize: 7, edgeLabel: { show: true } }],
    },
    true,
  );
  c.off('click');
  c.on('click', (ev) => {
    const p = ev as unknown as { dataType?: string; data?: { id?: string; fifo?: string } };
    if (p.dataType === 'node' && p.data?.id) {
      const [kind, ...rest] = p.data.id.split(':');
      onSelect({ kind: kind === 'g' ? 'group' : 'resource', name: rest.join(':') });
    } else if (p.dataType === 'edge' && p.data?.fifo) onSelect({ kind: 'fifo', name: p.data.fifo });
  });
}

let timelineHandler: (() => void) | null = null;

/**
 * The zoomable timeline: one row per group, bars of the dominant state per window. The level
 * of detail follows the zoom: only the visible windows of the coarsest level with at most
 * ~800 windows across the view are drawn, so a whole-model pass pans as fast as a small one.
 */
export function drawTimeline(pass: PassTrace, sel: Selection): void {
  const c = chartIn('timeline');
  const hot = groupsOf(pass, sel);
  const rows = pass.timeline.groups.map((g, i) => ({ g, i })).filter(({ g }) => !hot || hot.has(g));
  const names = rows.map((r) => r.g);
  const idx = rows.map((r) => r.i);
  const lodText = document.getElementById('lod')!;
  const dataFor = (from: number, to: number) => {
    const lvl = levelFor(pass.timeline.levels, from, to);
    lodText.textContent = `windows of ${lvl.windowCycles.toLocaleString('en-US')} cycles (level ${pass.timeline.levels.indexOf(lvl) + 1} of ${pass.timeline.levels.length}); visible cycles ${Math.round(from).toLocaleString('en-US')}-${Math.round(to).toLocaleString('en-US')}`;
    lodText.dataset['windowCycles'] = String(lvl.windowCycles);
    return stateRuns(pass, lvl, idx, from, to).map((r) => [r.start, r.end, r.row, TIMELINE_STATES.indexOf(r.state as never), r.active]);
  };
  const colours = TIMELINE_STATES.map((s) => STATE_COLOURS[s]!);
  c.setOption(
    {
      animation: false,
      grid: { left: 170, right: 20, top: 10, bottom: 60 },
      tooltip: {
        formatter: (p: { value: number[] }) =>
          `${names[p.value[2]!]}: ${TIMELINE_STATES[p.value[3]!]} (dominant), active ${pct(p.value[4]!)}<br>cycles ${Math.round(p.value[0]!).toLocaleString('en-US')}-${Math.round(p.value[1]!).toLocaleString('en-US')}`,
      },
      xAxis: { type: 'value', min: 0, max: pass.cycles, name: 'cycle', nameLocation: 'middle', nameGap: 24 },
      yAxis: { type: 'category', data: names, inverse: true, axisLabel: { fontSize: 10 } },
      dataZoom: [
        { type: 'inside', xAxisIndex: 0, filterMode: 'weakFilter' },
        { type: 'slider', xAxisIndex: 0, filterMode: 'weakFilter', height: 18, bottom: 8 },
      ],
      series: [
        {
          type: 'custom',
          encode: { x: [0, 1], y: 2 },
          data: dataFor(0, pass.cycles),
          renderItem: (params: { coordSys: { x: number; y: number; width: number; height: number } }, api: { value: (i: number) => number; coord: (v: number[]) => number[]; size: (v: number[]) => number[] }) => {
            const a = api.coord([api.value(0), api.value(2)]);
            const b = api.coord([api.value(1), api.value(2)]);
            const h = api.size([0, 1])[1]! * 0.72;
            const shape = echarts.graphic.clipRectByRect(
              { x: a[0]!, y: a[1]! - h / 2, width: Math.max(1, b[0]! - a[0]!), height: h },
              { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height },
            );
            return shape && { type: 'rect', shape, style: { fill: colours[api.value(3)], opacity: 0.35 + 0.65 * Math.min(1, api.value(4)) } };
          },
        },
      ],
    },
    true,
  );
  if (timelineHandler) c.off('datazoom', timelineHandler);
  let pending = 0;
  timelineHandler = () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(() => {
      const dz = (c.getOption() as { dataZoom: { startValue?: number; endValue?: number; start: number; end: number }[] }).dataZoom[0]!;
      const from = dz.startValue ?? (dz.start / 100) * pass.cycles;
      const to = dz.endValue ?? (dz.end / 100) * pass.cycles;
      c.setOption({ series: [{ data: dataFor(from, to) }] });
      follow(from, to);
    });
  };
  c.on('datazoom', timelineHandler);
}

/** FIFO peak occupancy and resource bandwidth per counter window; they follow the timeline's zoom. */
export function drawCounters(report: TraceReport, pass: PassTrace, sel: Selection): void {
  const W = pass.counters.windowCycles;
  const hot = groupsOf(pass, sel);
  const groupOf = new Map(pass.graph.actors.map((a) => [a.name, a.group]));
  const fifoInfo = new Map(pass.graph.fifos.map((f) => [f.name, f]));
  let fifos = pass.counters.fifos;
  if (sel?.kind === 'fifo') fifos = fifos.filter((f) => f.name === sel.name);
  else if (hot) fifos = fifos.filter((f) => hot.has(groupOf.get(fifoInfo.get(f.name)?.producer ?? '') ?? '') || hot.has(groupOf.get(fifoInfo.get(f.name)?.consumer ?? '') ?? ''));
  const x = (w: number) => w * W;
  const base = {
    animation: false,
    grid: { left: 50, right: 16, top: 40, bottom: 40 },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'value', min: 0, max: pass.cycles, name: 'cycle', nameLocation: 'middle', nameGap: 24 },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
  };
  chartIn('fifos', true).setOption(
    {
      ...base,
      legend: { type: 'scroll', top: 0 },
      yAxis: { type: 'value', name: 'tokens', minInterval: 1 },
      series: fifos.slice(0, 12).map((f) => ({ type: 'line', name: `${f.name} (depth ${f.depth})`, step: 'end', showSymbol: false, data: f.peak.map((v, w) => [x(w), v]) })),
      graphic: fifos.length === 0 ? [{ type: 'text', left: 'center', top: 'middle', style: { text: 'no occupancy series kept for this selection (the report keeps the most stalled FIFOs)', fill: '#667' } }] : [],
    },
    true,
  );
  let res = pass.counters.resources.filter((r) => r.unit === 'bytes');
  if (sel?.kind === 'resource') res = pass.counters.resources.filter((r) => r.name === sel.name);
  const gbps = (units: number) => (units / W) * report.clockMhz * 1e-3;
  chartIn('resources', true).setOption(
    {
      ...base,
      legend: { type: 'scroll', top: 0 },
      yAxis: { type: 'value', name: res.every((r) => r.unit === 'bytes') ? 'GB/s' : 'units/cycle' },
      series: res.map((r) => ({
        type: 'line',
        name: r.name,
        step: 'end',
        showSymbol: false,
        data: r.served.map((v, w) => [x(w), r.unit === 'bytes' ? gbps(v) : v / W]),
        markLine: r.unit === 'bytes' ? { symbol: 'none', silent: true, label: { formatter: `${r.name} peak` }, data: [{ yAxis: gbps(r.unitsPerCycle * W) }] } : undefined,
      })),
    },
    true,
  );
}

/** Share of actor-cycles per state for each group, or each actor of the selected group. */
export function drawStalls(pass: PassTrace, sel: Selection): void {
  const hot = groupsOf(pass, sel);
  const states = [...TIMELINE_STATES, 'idle'] as const;
  let rows: { name: string; v: Record<string, number> }[];
  if (hot && hot.size === 1) {
    rows = pass.totals
      .filter((t) => hot.has(t.group))
      .map((t) => {
        const v: Record<string, number> = { busy: t.busy, starved: 0, blocked: 0, contention: 0, idle: t.idle };
        for (const c of t.causes) v[c.state]! += c.cycles;
        return { name: t.actor, v };
      })
      .sort((a, b) => b.v['idle']! - a.v['idle']!)
      .slice(-40);
  } else {
    rows = groupTotals(pass)
      .filter((g) => !hot || hot.has(g.group))
      .map((g) => ({ name: g.group, v: { busy: g.busy, starved: g.starved, blocked: g.blocked, contention: g.contention, idle: g.idle } }));
  }
  const c = chartIn('stalls');
  (document.getElementById('stalls') as HTMLElement).style.height = `${Math.max(200, rows.length * 18 + 60)}px`;
  c.resize();
  c.setOption(
    {
      animation: false,
      grid: { left: 200, right: 20, top: 30, bottom: 20 },
      legend: { top: 0 },
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: rows.map((r) => r.name), axisLabel: { fontSize: 10 } },
      series: states.map((s) => ({
        type: 'bar',
        name: s,
        stack: 'cycles',
        itemStyle: { color: STATE_COLOURS[s] },
        data: rows.map((r) => {
          const total = states.reduce((a, k) => a + r.v[k]!, 0);
          return total > 0 ? (100 * r.v[s]!) / total : 0;
        }),
      })),
    },
    true,
  );
}

/** Roofline points of the report's ops (the pass's phase), with each system's roofs. */
export function drawRoofline(report: TraceReport, phase: string | undefined): void {
  const rows = report.roofline.filter((r) => !phase || r.phase === phase);
  const systems = new Map<string, { peak: number; bw: number; pts: [number, number, string][] }>();
  for (const r of rows) {
    for (const p of [r.gpu, r.lutLlm]) {
      if (p.intensityOpsPerByte === null || !Number.isFinite(p.intensityOpsPerByte) || p.intensityOpsPerByte <= 0) continue;
      const s = systems.get(p.system) ?? { peak: p.peakOpsPerSecond, bw: p.bandwidthBytesPerSecond, pts: [] };
      s.pts.push([p.intensityOpsPerByte, p.attainableOpsPerSecond, r.op]);
      systems.set(p.system, s);
    }
  }
  const all = [...systems.values()].flatMap((s) => s.pts.map((p) => p[0]));
  const lo = Math.min(...all, 0.1) / 2;
  const hi = Math.max(...all, 1000) * 2;
  const palette = ['#2e6fd6', '#d64545', '#2e9e5b', '#9b59b6'];
  chartIn('roofline').setOption(
    {
      animation: false,
      legend: { top: 0 },
      grid: { left: 70, right: 20, top: 40, bottom: 40 },
      tooltip: { formatter: (p: { seriesName: string; value: [number, number, string] }) => `${p.seriesName} ${p.value[2] ?? ''}<br>${p.value[0].toPrecision(3)} ops/byte, ${(p.value[1] / 1e12).toPrecision(3)} Tops/s` },
      xAxis: { type: 'log', name: 'ops / byte', nameLocation: 'middle', nameGap: 24, min: lo, max: hi },
      yAxis: { type: 'log', name: 'attainable ops/s' },
      series: [...systems.entries()].flatMap(([name, s], i) => [
        { type: 'scatter', name, data: s.pts, symbolSize: 9, itemStyle: { color: palette[i % palette.length] }, label: { show: true, formatter: (p: { value: [number, number, string] }) => p.value[2], position: 'right', fontSize: 10 } },
        {
          type: 'line',
          name,
          showSymbol: false,
          silent: true,
          lineStyle: { color: palette[i % palette.length], type: 'dashed' },
          data: [
            [lo, lo * s.bw],
            [s.peak / s.bw, s.peak],
            [hi, s.peak],
          ],
        },
      ]),
    },
    true,
  );
}
