import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Incident } from '#core/model/incident';
import type { IncidentResponse } from '#core/respond/response';
import type { Store } from '#core/store/store';
import { MemoryResponseStore } from '../memory-responses.ts';

/**
 * Local mode's memory between commands: what the last replays found and what was done about it,
 * so `pivotguard report`, `resolve` and `dismiss` work after a replay as they do on the table.
 */
export const DEFAULT_STATE_FILE = '.pivotguard/state.json';

interface StateDocument {
  version: 1;
  savedAt: string;
  incidents: Incident[];
  responses: IncidentResponse[];
}

export class StateFileError extends Error {
  constructor(file: string, reason: string) {
    super(`${file} ${reason}`);
    this.name = 'StateFileError';
  }
}

export class LocalState {
  readonly responses: MemoryResponseStore;
  private readonly incidents: Map<string, Incident>;

  private constructor(
    readonly file: string,
    incidents: Incident[],
    responses: IncidentResponse[],
    /** What the file held when loaded: saving the same again leaves it untouched. */
    private readonly loaded: string | undefined,
  ) {
    this.incidents = new Map(incidents.map((incident) => [incident.id, incident]));
    this.responses = new MemoryResponseStore(responses);
  }

  /** A state that starts empty and is written to `file` when saved: a replay that begins afresh. */
  static fresh(file = DEFAULT_STATE_FILE): LocalState {
    return new LocalState(file, [], [], undefined);
  }

  /** An absent file is an empty state: nothing replayed yet. A file that is not a state file is refused, never overwritten. */
  static async load(file = DEFAULT_STATE_FILE): Promise<LocalState> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return new LocalState(file, [], [], undefined);
      throw new StateFileError(file, code === 'EISDIR' ? `is a folder; ${NOT_A_STATE_FILE}` : `cannot be read: ${(error as Error).message}`);
    }
    let document: Partial<StateDocument>;
    try {
      document = JSON.parse(text) as Partial<StateDocument>;
    } catch {
      throw new StateFileError(file, `is not a pivotguard state file (not JSON); ${NOT_A_STATE_FILE}`);
    }
    if (document?.version !== 1 || !Array.isArray(document.incidents) || !Array.isArray(document.responses)) {
      throw new StateFileError(file, `is not a pivotguard state file (version 1); ${NOT_A_STATE_FILE}`);
    }
    return new LocalState(file, document.incidents, document.responses, contentOf(document.incidents, document.responses));
  }

  /** The incidents as a read-only store view, for the desk and the report. */
  get store(): Pick<Store, 'getIncident' | 'listIncidents'> {
    return {
      getIncident: async (id) => this.incidents.get(id),
      listIncidents: async () => [...this.incidents.values()],
    };
  }

  /** A replay's incidents replace earlier versions with the same id; responses are kept. */
  putIncidents(incidents: readonly Incident[]): void {
    for (const incident of incidents) this.incidents.set(incident.id, incident);
  }

  /**
   * Written whole to a temporary file and renamed, so an interrupted save never leaves half a
   * file; not written at all when nothing changed since it was loaded (a replay of the same records).
   */
  async save(now = new Date()): Promise<void> {
    const incidents = [...this.incidents.values()];
    const responses = await this.responses.listResponses();
    if (this.loaded !== undefined && this.loaded === contentOf(incidents, responses)) return;
    const document: StateDocument = { version: 1, savedAt: now.toISOString(), incidents, responses };
    await mkdir(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, `${JSON.stringify(document, null, 1)}\n`);
    await rename(temporary, this.file);
  }
}

const NOT_A_STATE_FILE = '--state takes the JSON file a replay writes (default .pivotguard/state.json); name a new file to start one';

/** The part of a state document that says what it holds, for comparing two. */
function contentOf(incidents: readonly Incident[], responses: readonly IncidentResponse[]): string {
  return JSON.stringify({ incidents, responses });
}
