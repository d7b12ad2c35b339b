/**
 * Extra benchmark cases beyond training and Grad-CAM (e.g. the SQLite bulk
 * write of focus rows): add an entry here and `npm run bench` runs it once, in
 * a process of its own, and prints it with the rest. `goalMs`, when set, is
 * printed as the reference to beat.
 */
export interface BenchCase {
  name: string;
  goalMs?: number;
  run(): Promise<{ ms: number; runs?: number; backend?: string; detail?: string }>;
}

export const extraCases: BenchCase[] = [];
