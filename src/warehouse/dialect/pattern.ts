/**
 * Spark's datetime patterns (`yyyy-MM-dd HH:mm`, java.time letters) as DuckDB's strftime /
 * strptime formats. A letter with no strftime match fails with a clear error naming it, never
 * a silently different text.
 */
import { SqlStatementError } from '../errors.js';

/** strftime spelling of a run of `count` letters `letter`, or undefined when there is none. */
function directive(letter: string, count: number): string | undefined {
  switch (letter) {
    case 'y':
    case 'u':
      return count === 2 ? '%y' : '%Y';
    case 'M':
    case 'L':
      return ['%-m', '%m', '%b', '%B'][count - 1];
    case 'd':
      return ['%-d', '%d'][count - 1];
    case 'D':
      return count === 3 ? '%j' : count === 1 ? '%-j' : undefined;
    case 'H':
      return ['%-H', '%H'][count - 1];
    case 'h':
      return ['%-I', '%I'][count - 1];
    case 'm':
      return ['%-M', '%M'][count - 1];
    case 's':
      return ['%-S', '%S'][count - 1];
    case 'S':
      return { 3: '%g', 6: '%f', 9: '%n' }[count];
    case 'a':
      return count === 1 ? '%p' : undefined;
    case 'E':
      return count <= 3 ? '%a' : count === 4 ? '%A' : undefined;
    default:
      return undefined;
  }
}

/** The strftime format of Spark pattern `pattern`; throws SqlStatementError (0A000) for a letter it cannot spell. */
export function sparkPatternToStrftime(pattern: string): string {
  let out = '';
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i]!;
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) out += "'";
      else out += pattern.slice(i + 1, end < 0 ? pattern.length : end).replaceAll('%', '%%');
      i = end < 0 ? pattern.length : end + 1;
    } else if (/[A-Za-z]/.test(c)) {
      let count = 1;
      while (pattern[i + count] === c) count++;
      const spelled = directive(c, count);
      if (spelled === undefined) {
        throw new SqlStatementError(
          `[UNSUPPORTED_FEATURE] The datetime pattern letter '${c.repeat(count)}' in '${pattern}' is not supported by this warehouse.`,
          '0A000',
        );
      }
      out += spelled;
      i += count;
    } else {
      out += c === '%' ? '%%' : c;
      i++;
    }
  }
  return out;
}
