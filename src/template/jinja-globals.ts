// The global functions Jinja chat templates call that Python provides: strftime_now (and the
// date_string some templates expect), range.

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** Python's strftime for the directives chat templates use, in English as Python's C locale. */
export function strftime(d: Date, format: string): string {
  const p2 = (n: number) => String(n).padStart(2, "0");
  return format.replace(/%([a-zA-Z%])/g, (whole, c: string) => {
    switch (c) {
      case "Y": return String(d.getFullYear());
      case "y": return p2(d.getFullYear() % 100);
      case "m": return p2(d.getMonth() + 1);
      case "d": return p2(d.getDate());
      case "e": return String(d.getDate()).padStart(2, " ");
      case "b": return MONTHS[d.getMonth()]!.slice(0, 3);
      case "B": return MONTHS[d.getMonth()]!;
      case "a": return DAYS[d.getDay()]!.slice(0, 3);
      case "A": return DAYS[d.getDay()]!;
      case "H": return p2(d.getHours());
      case "I": return p2(d.getHours() % 12 || 12);
      case "p": return d.getHours() < 12 ? "AM" : "PM";
      case "M": return p2(d.getMinutes());
      case "S": return p2(d.getSeconds());
      case "j": return String(Math.floor((d.getTime() - new Date(d.getFullYear(), 0, 1).getTime()) / 86_400_000) + 1).padStart(3, "0");
      case "%": return "%";
      default: return whole;
    }
  });
}

/** Python's range(). */
export function range(a: unknown, b?: unknown, step?: unknown): number[] {
  const [start, stop] = b === undefined ? [0, Number(a)] : [Number(a), Number(b)];
  const s = step === undefined ? 1 : Number(step);
  if (s === 0) throw new Error("range() arg 3 must not be zero");
  const out: number[] = [];
  for (let i = start; s > 0 ? i < stop : i > stop; i += s) out.push(i);
  return out;
}
