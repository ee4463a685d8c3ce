// What the per-type grammar builders (object, array, string) ask of the converter: a place to store
// rules, the shared primitives, and a way back into the converter for subschemas.

import type { PatternRules } from "./regex.js";

export interface SchemaRules extends PatternRules {
  /** The name of a fixed rule (primitives.ts), added with the rules it uses. */
  primitive(name: string): string;
  /** A grammar expression for values valid against `schema`, its rules named after `name`. */
  visit(schema: unknown, name: string, depth: number): string;
  /** Runs `build` inside an object or array: a $ref met again in there recurses through a
   *  container (a finite value can end it), not left recursion. */
  nested<T>(build: () => T): T;
}

/** The rule name of a part of the schema named `name` (the root has the empty name). */
export function child(name: string, suffix: string): string {
  return name ? `${name}-${suffix}` : suffix;
}
