/**
 * Marks the functions of the credential path in the bundle for eager compilation, so that V8's code
 * cache holds their bytecode and `export-credentials` does not compile them again at every start.
 *
 * Why: Deno writes a module's V8 code cache when the module's evaluation first waits (its first
 * `await`). Functions that first run after that point, which is all of the credential path (it
 * waits for the config file first), are not in the cache: V8 parses and compiles each of them from
 * source in every process, and that was most of the bundle's start-up cost above an empty program.
 * V8 compiles a function at once, with the code around it, when the function expression is in
 * parentheses (its heuristic for a function that is called immediately); those functions are in
 * the cache. So for the modules the credential path loads, this rewrites, without changing what the
 * code does:
 *
 * - a top-level `function f(...) {...}` into `var f = (function f(...) {...});` (the bundle is one
 *   module scope, and its top-level evaluation, the same for every command, is run by the tests, so
 *   a call before the assignment would show at once);
 * - a module's lazy initializer (`var init_x = __esm({ "lib/x.ts"() {...} })`) into
 *   `"lib/x.ts": (function() {...})`;
 * - every arrow function and function expression inside them into the same expression in
 *   parentheses.
 *
 * Methods and class members stay lazy (they have no expression form). Modules outside the set (the
 * login, doctor, role and refresh code) stay lazy too: compiling them would only make the cache
 * larger to read. Only text is inserted, never a line break, so line numbers of stack traces stay
 * those of the bundle.
 *
 * @module
 */

import { parse } from "acorn";

/** An ESTree node as acorn returns it. */
interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

/** What {@link markEager} did. */
export interface EagerResult {
  /** The rewritten bundle. */
  text: string;
  /** How many functions were put in parentheses (declarations, initializers and nested ones). */
  functions: number;
}

/** One piece of text to insert; `rank` orders inserts at the same offset (lower goes first). */
interface Insert {
  at: number;
  text: string;
  rank: number;
}

function isNode(value: unknown): value is Node {
  return typeof value === "object" && value !== null &&
    typeof (value as { type?: unknown }).type === "string";
}

function children(node: Node): Node[] {
  const result: Node[] = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "type" || key === "start" || key === "end") continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isNode(item)) result.push(item);
    } else if (isNode(value)) {
      result.push(value);
    }
  }
  return result;
}

/**
 * The function expressions inside `node` that can stand in parentheses: arrows and function
 * expressions, but not the values of methods, accessors or class members (`m() {}` has no
 * parenthesized form).
 */
function nestedFunctions(node: Node, found: Node[]): void {
  for (const child of children(node)) {
    const isMember = child.type === "MethodDefinition" ||
      child.type === "PropertyDefinition" ||
      (child.type === "Property" && (child.method === true || child.kind !== "init"));
    if (isMember) {
      // Look inside the method's body, not at the method itself.
      const value = child.value;
      if (isNode(value)) nestedFunctions(value, found);
      if (isNode(child.key) && child.computed === true) nestedFunctions(child.key, found);
      continue;
    }
    if (child.type === "ArrowFunctionExpression" || child.type === "FunctionExpression") {
      found.push(child);
    }
    nestedFunctions(child, found);
  }
}

/**
 * Adds to `names` every variable name in `node`, in nested functions too (a function may be called
 * at once), but not property names (`a.b`, `{ b: 1 }`).
 */
function namesIn(node: Node, names: Set<string>): void {
  if (node.type === "Identifier") names.add(node.name as string);
  for (const [key, value] of Object.entries(node)) {
    const propertyName = (node.type === "MemberExpression" && key === "property" ||
      (node.type === "Property" || node.type === "MethodDefinition" ||
          node.type === "PropertyDefinition") && key === "key") && node.computed !== true;
    if (propertyName) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      if (isNode(item)) namesIn(item, names);
    }
  }
}

/**
 * Whether a statement is esbuild's `__export(x_exports, { name: () => name, ... })`: its getters run
 * when a module that imported the exports reads one, after the import, not at once.
 */
function isExportTable(statement: Node): boolean {
  const expression = statement.expression;
  return statement.type === "ExpressionStatement" && isNode(expression) &&
    expression.type === "CallExpression" && isNode(expression.callee) &&
    expression.callee.type === "Identifier" && expression.callee.name === "__export";
}

/**
 * Tracks which top-level functions code may have called so far: whatever a statement names, and,
 * through the bodies of the declarations it names, whatever those may call in turn.
 */
function reachTracker(statements: readonly Node[]) {
  const bodies = new Map<string, Node>();
  for (const statement of statements) {
    if (statement.type === "FunctionDeclaration") {
      bodies.set((statement.id as Node).name as string, statement.body as Node);
    }
  }
  const reached = new Set<string>();
  const reach = (name: string) => {
    if (reached.has(name)) return;
    reached.add(name);
    const body = bodies.get(name);
    if (body === undefined) return;
    const names = new Set<string>();
    namesIn(body, names);
    for (const next of names) reach(next);
  };
  return {
    reached,
    /** Everything a statement that runs (not a declaration, not an export table) may reach. */
    run(statement: Node) {
      if (statement.type === "FunctionDeclaration" || isExportTable(statement)) return;
      const names = new Set<string>();
      namesIn(statement, names);
      for (const name of names) reach(name);
    },
  };
}

/**
 * Collects the `// path` comments esbuild writes, at the start of a line, before the code of each
 * module; `onComment` sees only real comments, never text inside a string or template.
 */
function moduleComments(text: string, starts: { at: number; path: string }[]) {
  return (block: boolean, comment: string, start: number) => {
    const path = /^ (\S+)$/.exec(comment)?.[1];
    const lineStart = start === 0 || text.charCodeAt(start - 1) === 0x0a;
    if (!block && path !== undefined && lineStart) starts.push({ at: start, path });
  };
}

/** `var init_x = __esm({ "path"() {...} })`: the initializer method, or undefined. */
function lazyInitializer(statement: Node): Node | undefined {
  if (statement.type !== "VariableDeclaration") return undefined;
  const declarations = statement.declarations as Node[];
  if (declarations.length !== 1) return undefined;
  const init = declarations[0]!.init;
  if (!isNode(init) || init.type !== "CallExpression") return undefined;
  const callee = init.callee as Node;
  if (callee.type !== "Identifier" || callee.name !== "__esm") return undefined;
  const [argument] = init.arguments as Node[];
  if (argument?.type !== "ObjectExpression") return undefined;
  const properties = argument.properties as Node[];
  if (properties.length !== 1) return undefined;
  const property = properties[0]!;
  return property.type === "Property" && property.method === true ? property : undefined;
}

/**
 * Rewrites the functions of `modules` (paths as esbuild names them in its `// path` comments, such
 * as `lib/aws/ini.ts`) in a bundle written by `deno bundle`, for eager compilation.
 *
 * @example
 * ```ts
 * const bundle = "// lib/a.ts\nfunction a(x) {\n  return [x].map((y) => y);\n}\n";
 * markEager(bundle, new Set(["lib/a.ts"])).text;
 * // "// lib/a.ts\nvar a = (function a(x) {\n  return [x].map(((y) => y));\n});\n"
 * ```
 */
export function markEager(text: string, modules: ReadonlySet<string>): EagerResult {
  const starts: { at: number; path: string }[] = [];
  const program = parse(text, {
    ecmaVersion: "latest",
    sourceType: "module",
    onComment: moduleComments(text, starts),
  }) as unknown as Node;
  const inserts: Insert[] = [];
  let functions = 0;
  const wrapNested = (node: Node) => {
    const nested: Node[] = [];
    nestedFunctions(node, nested);
    for (const fn of nested) {
      // An inner function opens after and closes before (or with) the one around it.
      inserts.push({ at: fn.start, text: "(", rank: 1 }, { at: fn.end, text: ")", rank: 0 });
      functions++;
    }
  };
  let index = -1;
  // A declaration becomes a `var`, which is not hoisted: one that earlier top-level code may call,
  // directly or through other functions (`main.ts` calling a function declared below its code),
  // stays a declaration, compiled lazily.
  const tracker = reachTracker(program.body as Node[]);
  for (const statement of program.body as Node[]) {
    while (index + 1 < starts.length && starts[index + 1]!.at < statement.start) index++;
    const path = starts[index]?.path;
    const declared = statement.type === "FunctionDeclaration"
      ? (statement.id as Node).name as string
      : undefined;
    const calledEarlier = declared !== undefined && tracker.reached.has(declared);
    tracker.run(statement);
    if (path === undefined || !modules.has(path)) continue;
    if (statement.type === "FunctionDeclaration") {
      const name = declared!;
      if (calledEarlier) continue;
      inserts.push(
        { at: statement.start, text: `var ${name} = (`, rank: 1 },
        { at: statement.end, text: ");", rank: 2 },
      );
      functions++;
      wrapNested(statement.body as Node);
      continue;
    }
    const initializer = lazyInitializer(statement);
    if (initializer !== undefined) {
      const value = initializer.value as Node;
      inserts.push(
        { at: value.start, text: ": (function", rank: 1 },
        { at: value.end, text: ")", rank: 2 },
      );
      functions++;
      wrapNested(value.body as Node);
    }
  }
  // Insert from the end, so that earlier offsets stay valid; at one offset, closers come first.
  inserts.sort((a, b) => b.at - a.at || b.rank - a.rank);
  let result = text;
  for (const { at, text: piece } of inserts) {
    result = result.slice(0, at) + piece + result.slice(at);
  }
  return { text: result, functions };
}

/** The module graph `deno info --json` prints, as far as {@link staticClosure} reads it. */
export interface ModuleGraph {
  modules: {
    specifier: string;
    dependencies?: { code?: { specifier: string }; isDynamic?: boolean }[];
  }[];
}

/**
 * The modules that `entries` load without a dynamic `import()`, as paths relative to `root` (the
 * names esbuild gives them).
 *
 * @example
 * ```ts
 * const graph = {
 *   modules: [
 *     { specifier: "file:///p/main.ts", dependencies: [{ code: { specifier: "file:///p/a.ts" } }] },
 *     { specifier: "file:///p/a.ts", dependencies: [{ code: { specifier: "file:///p/b.ts" }, isDynamic: true }] },
 *   ],
 * };
 * staticClosure(graph, ["file:///p/main.ts"], "file:///p/"); // Set {"main.ts", "a.ts"}
 * ```
 */
export function staticClosure(
  graph: ModuleGraph,
  entries: readonly string[],
  root: string,
): Set<string> {
  const bySpecifier = new Map(graph.modules.map((module) => [module.specifier, module]));
  const seen = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const specifier = pending.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dependency of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (dependency.code !== undefined && dependency.isDynamic !== true) {
        pending.push(dependency.code.specifier);
      }
    }
  }
  return new Set(
    [...seen].filter((specifier) => specifier.startsWith(root)).map((specifier) =>
      specifier.slice(root.length)
    ),
  );
}
