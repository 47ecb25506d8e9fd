/**
 * The output adapter's text side: the shared modules print GitHub workflow commands (`::group::`,
 * `::warning::`, `::add-mask::`); outside GitHub those become plain lines, and every masked value is
 * replaced with `***` in everything printed after it was registered, as the runner does.
 */

/** GitHub's escaping of command data: `%`, CR and LF. */
function unescapeData(text: string): string {
  return text.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

const COMMAND = /^::([a-z-]+)(?: [^:]*)?::(.*)$/;

export class PlainTextFilter {
  private readonly masks = new Set<string>();
  private pending = '';

  /** Masks a value from here on (as `core.setSecret` would on a runner). */
  addMask(value: string): void {
    if (value.trim() !== '') this.masks.add(value);
  }

  /** Feeds a chunk of output; returns the plain text ready to print (whole lines only). */
  write(chunk: string): string {
    const text = this.pending + chunk;
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.pending = text;
      return '';
    }
    this.pending = text.slice(end + 1);
    return text
      .slice(0, end)
      .split('\n')
      .flatMap((line) => this.translate(line))
      .map((line) => `${line}\n`)
      .join('');
  }

  /** Whatever is left without a newline at the end. */
  flush(): string {
    const rest = this.pending;
    this.pending = '';
    return rest === '' ? '' : this.translate(rest).join('\n');
  }

  private translate(line: string): string[] {
    const match = COMMAND.exec(line.replace(/\r$/, ''));
    if (!match) return [this.mask(line)];
    const [, command, data = ''] = match;
    const message = unescapeData(data);
    switch (command) {
      case 'add-mask':
        this.addMask(message);
        return [];
      case 'group':
        return [this.mask(`== ${message}`)];
      case 'endgroup':
      case 'debug':
      case 'save-state':
      case 'set-output':
        return [];
      case 'warning':
      case 'error':
      case 'notice':
        return [this.mask(`${command}: ${message}`)];
      default:
        return [this.mask(line)];
    }
  }

  mask(text: string): string {
    let masked = text;
    // Longest first, so a value that contains another is hidden whole.
    for (const secret of [...this.masks].sort((a, b) => b.length - a.length)) {
      masked = masked.split(secret).join('***');
    }
    return masked;
  }
}

/** The runner's file-command format (`name<<delimiter`, the value, `delimiter`); later values win. */
export function parseFileCommands(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  const pattern = /^(.+?)<<(ghadelimiter_[0-9a-f-]+)\r?\n([\s\S]*?)\r?\n\2\r?$/gm;
  for (const match of text.matchAll(pattern)) {
    const [, name, , value] = match;
    if (name !== undefined && value !== undefined) values[name] = value;
  }
  return values;
}
