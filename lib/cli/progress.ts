/** Where progress goes: a TTY gets a redrawn bar, anything else plain lines. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface ProgressOptions {
  readonly stream: ProgressStream;
  /** False with `--quiet`: nothing is written. */
  readonly enabled: boolean;
  /** Known total; enables the bar's fill, percentage and ETA. */
  readonly total?: number;
  /** What is counted, e.g. `objects`. */
  readonly unit: string;
}

const TTY_REDRAW_MS = 100;
const LOG_INTERVAL_MS = 1000;
const BAR_WIDTH = 24;

/** Counts, rate and (with a total) ETA for one long step, on stderr. */
export class Progress {
  private readonly started = Date.now();
  private lastDraw = 0;
  private drawn = false;
  private done = 0;
  private detail = '';
  private step?: string;
  private stepBase = 0;
  private stepDone = 0;

  constructor(
    private label: string,
    private readonly options: ProgressOptions,
  ) {}

  update(done: number, detail = '', label = this.label): void {
    this.done = done;
    this.detail = detail;
    this.label = label;
    if (!this.options.enabled) return;
    const now = Date.now();
    const interval = this.options.stream.isTTY
      ? TTY_REDRAW_MS
      : LOG_INTERVAL_MS;
    if (now - this.lastDraw < interval) return;
    this.lastDraw = now;
    this.draw();
  }

  /**
   * For counts that restart at 0 for each step (a namespace, a phase): adds the steps up, so
   * the bar shows one running total.
   */
  updateStep(
    step: string,
    doneInStep: number,
    detail = '',
    label = this.label,
  ): void {
    if (step !== this.step) {
      this.stepBase += this.stepDone;
      this.step = step;
    }
    this.stepDone = doneInStep;
    this.update(this.stepBase + doneInStep, detail, label);
  }

  /** Draws the final state and ends the line. */
  finish(): void {
    if (!this.options.enabled) return;
    this.draw();
    if (this.options.stream.isTTY) this.options.stream.write('\n');
  }

  private draw(): void {
    const { stream, total, unit } = this.options;
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.done / elapsed : 0;
    const parts: string[] = [];
    if (total !== undefined && total > 0) {
      const ratio = Math.min(1, this.done / total);
      if (stream.isTTY) {
        const filled = Math.round(ratio * BAR_WIDTH);
        parts.push(`[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}]`);
      }
      parts.push(
        `${count(this.done)}/${count(total)} ${unit} (${Math.floor(ratio * 100)}%)`,
      );
    } else {
      parts.push(`${count(this.done)} ${unit}`);
    }
    parts.push(`${count(Math.round(rate))}/s`);
    if (total !== undefined && rate > 0 && this.done < total) {
      parts.push(`ETA ${clock((total - this.done) / rate)}`);
    }
    parts.push(clock(elapsed));
    let line = `${this.label} ${parts.join('  ')}${this.detail ? `  ${this.detail}` : ''}`;
    if (stream.isTTY) {
      // A terminal of unknown size (a pty nobody sized, as under `script`) reports 0 columns.
      const width = stream.columns || 80;
      if (line.length > width - 1) line = line.slice(0, width - 1);
      stream.write(`\r\x1b[2K${line}`);
    } else {
      stream.write(`${line}\n`);
    }
    this.drawn = true;
  }

  get hasDrawn(): boolean {
    return this.drawn;
  }
}

function count(value: number): string {
  return value.toLocaleString('en-US');
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}
