import { writeJsonAtomic } from '../store/atomic-write.js';
import type { SweepLayout } from '../store/layout.js';
import { readJsonIfExists } from '../store/read-json.js';

/** stop.json: written when --until-fail or --max-failures is reached, obeyed by every process of the sweep. */
export interface StopMarker {
  reason: string;
  createdAt: string;
  byPid: number;
  byHost: string;
}

export async function writeStopMarker(layout: SweepLayout, marker: StopMarker): Promise<void> {
  await writeJsonAtomic(layout.stopJson, marker);
}

/** The stop marker, if one was written since `since` (older ones belong to earlier runs of the sweep). */
export async function readStopMarker(layout: SweepLayout, since: number): Promise<StopMarker | null> {
  const marker = await readJsonIfExists<StopMarker>(layout.stopJson).catch(() => null);
  if (marker === null || Date.parse(marker.createdAt) < since) return null;
  return marker;
}
