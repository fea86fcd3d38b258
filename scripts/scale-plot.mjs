#!/usr/bin/env node
// Draws docs/scale/curves.svg from the JSON last lines of `npm run bench -- scale` and
// `npm run bench -- planner`, saved as docs/scale/scale.json and docs/scale/planner.json:
// CLI CPU seconds per step against tasks, and planner seconds against instances, log-log.
//   node scripts/scale-plot.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'scale');
const scale = JSON.parse(readFileSync(join(dir, 'scale.json'), 'utf8'));
const planner = JSON.parse(readFileSync(join(dir, 'planner.json'), 'utf8'));
const steps = ['apply', 'reapply', 'plan', 'change_one', 'delete_all'];
const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];
const series = steps.map((s, i) => ({
  name: `${s} (CLI cpu s)`,
  color: colors[i],
  points: scale.sizes.map((r) => [r.tasks, r[s].cpu_s]),
}));
series.push({
  name: 'planner alone (s)',
  color: colors[5],
  points: planner.sizes.map((r) => [r.instances, r.plan_s]),
});

const W = 640;
const H = 400;
const M = { l: 60, r: 200, t: 20, b: 40 };
const all = series.flatMap((s) => s.points);
const lx = all.map((p) => Math.log10(p[0]));
const ly = all.map((p) => Math.log10(Math.max(p[1], 0.01)));
const [x0, x1] = [Math.floor(Math.min(...lx)), Math.ceil(Math.max(...lx))];
const [y0, y1] = [Math.floor(Math.min(...ly)), Math.ceil(Math.max(...ly))];
const X = (v) => M.l + ((Math.log10(v) - x0) / (x1 - x0)) * (W - M.l - M.r);
const Y = (v) => H - M.b - ((Math.log10(Math.max(v, 0.01)) - y0) / (y1 - y0)) * (H - M.t - M.b);
const out = [
  `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
  `<rect width="${W}" height="${H}" fill="white"/>`,
];
for (let e = x0; e <= x1; e++) {
  const x = X(10 ** e);
  out.push(`<line x1="${x}" y1="${M.t}" x2="${x}" y2="${H - M.b}" stroke="#ddd"/>`);
  out.push(`<text x="${x}" y="${H - M.b + 14}" text-anchor="middle">${(10 ** e).toLocaleString('en')}</text>`);
}
for (let e = y0; e <= y1; e++) {
  const y = Y(10 ** e);
  out.push(`<line x1="${M.l}" y1="${y}" x2="${W - M.r}" y2="${y}" stroke="#ddd"/>`);
  out.push(`<text x="${M.l - 6}" y="${y + 4}" text-anchor="end">${10 ** e}</text>`);
}
out.push(`<text x="${(M.l + W - M.r) / 2}" y="${H - 6}" text-anchor="middle">tasks (log)</text>`);
out.push(
  `<text x="14" y="${(M.t + H - M.b) / 2}" transform="rotate(-90 14 ${(M.t + H - M.b) / 2})" text-anchor="middle">seconds (log)</text>`,
);
series.forEach((s, i) => {
  const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${X(p[0]).toFixed(1)},${Y(p[1]).toFixed(1)}`).join(' ');
  out.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
  for (const p of s.points)
    out.push(`<circle cx="${X(p[0]).toFixed(1)}" cy="${Y(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`);
  out.push(`<rect x="${W - M.r + 12}" y="${M.t + i * 18}" width="12" height="4" fill="${s.color}"/>`);
  out.push(`<text x="${W - M.r + 30}" y="${M.t + i * 18 + 6}">${s.name}</text>`);
});
out.push('</svg>');
writeFileSync(join(dir, 'curves.svg'), `${out.join('\n')}\n`);
console.log(`wrote ${join(dir, 'curves.svg')}`);
