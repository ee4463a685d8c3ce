// Shared by the engines' generation loops.

/**
 * Ends runaway output: the same trimmed piece more than 30 times in a row (Ollama's repetition guard), or,
 * under a grammar, whitespace after the text already forms a complete JSON value (JSON grammars allow
 * trailing whitespace forever).
 */
export class RunawayGuard {
  private last = "";
  private repeats = 0;
  private text = "";

  constructor(private readonly json: boolean) {}

  shouldEnd(piece: string): boolean {
    const trimmed = piece.trim();
    this.repeats = trimmed === this.last ? this.repeats + 1 : 0;
    this.last = trimmed;
    if (this.repeats > 30) return true;
    if (!this.json) return false;
    if (trimmed === "" && this.text.trim() !== "") {
      try {
        JSON.parse(this.text);
        return true;
      } catch {
        // not complete yet
      }
    }
    this.text += piece;
    return false;
  }
}
