export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '—';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${String(m % 60).padStart(2, '0')} min`;
}

/** Numbers for tables and tooltips: four significant digits, '—' when absent. */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  if (v !== 0 && (Math.abs(v) >= 1e5 || Math.abs(v) < 1e-3)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

export function formatPercent(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  return `${(v * 100).toFixed(1)} %`;
}

/** An off-digit ratio: null is a CAM without mass ("no evidence"), undefined is not computed. */
export function formatRatio(v: number | null | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'no evidence';
  return formatPercent(v);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toISOString().slice(0, 16).replace('T', ' ');
}

/**
 * The images a run trains on, as counted by the router (its subset minus its
 * exclusions), with where the number comes from when exclusions change it.
 */
export function trainingImagesText(config: { limit: number | null; excluded: string[] }, trainingImages: number | null): string {
  const subset = config.limit ? `${config.limit.toLocaleString('en-US')} images` : 'all images';
  if (trainingImages === null) return `${subset}${config.excluded.length ? ` minus ${config.excluded.length.toLocaleString('en-US')} excluded` : ''}`;
  const n = `${trainingImages.toLocaleString('en-US')} image${trainingImages === 1 ? '' : 's'}`;
  return config.excluded.length ? `${n} (${subset} minus ${config.excluded.length.toLocaleString('en-US')} excluded)` : n;
}

/** A config value in a diff table: null limits mean the whole dataset. */
export function formatConfigValue(v: unknown): string {
  if (v === undefined) return '—';
  if (v === null) return 'all';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * How a run that is not training ended, in its own word: "finished" only for a
 * completed run (a cancelled or interrupted run did not finish).
 */
export function endedLabel(run: { status: string; finishedAt: string | null }): string | null {
  if (!run.finishedAt) return null;
  const word = { completed: 'finished', cancelled: 'cancelled', interrupted: 'interrupted', failed: 'failed' }[run.status];
  return word ? `${word} ${formatDate(run.finishedAt)}` : null;
}

/** Tags typed into one box: "cpu, tiny" is two tags. */
export function splitTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter(Boolean))];
}
