import path from 'node:path';
import ts from 'typescript';
import type { Resource } from './kustomize';

const ROOT = path.resolve(__dirname, '../../..');

/** kubernetes-models module of a built-in kind, e.g. apps/v1 Deployment -> kubernetes-models/apps/v1/Deployment. */
export function modelModule(resource: Resource): string {
  return `kubernetes-models/${resource.apiVersion}/${resource.kind}`;
}

export function isBuiltIn(resource: Resource): boolean {
  try {
    require.resolve(modelModule(resource));
    return true;
  } catch {
    return false;
  }
}

/** The schema validation of kubernetes-models (types, required fields, enums, formats). Throws with the problems. */
export function validateWithModel(resource: Resource): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const models = require(modelModule(resource)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[resource.kind];
  if (!Model) throw new Error(`${modelModule(resource)} exports no ${resource.kind}`);
  new Model(resource).validate();
}

/**
 * kubernetes-models' validators ignore fields the schema does not know, so a misspelt key
 * (`readinesProbe`) would pass. Its TypeScript interfaces do not: every resource is type-checked
 * as an object literal of its interface, where excess properties are errors.
 */
export function unknownFieldErrors(resources: { label: string; resource: Resource }[]): string[] {
  const fileName = path.join(ROOT, 'tests/deploy/__rendered_manifests__.ts');
  const lines: string[] = [];
  resources.forEach(({ resource }, i) => {
    lines.push(`import type { I${resource.kind} as T${i} } from '${modelModule(resource)}';`);
  });
  resources.forEach(({ label, resource }, i) => {
    lines.push(`// ${label}`);
    lines.push(`export const r${i}: T${i} = ${JSON.stringify(resource, null, 2)};`);
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (file) => (path.resolve(file) === fileName ? source : readFile(file));
  host.fileExists = ((exists) => (file: string) => path.resolve(file) === fileName || exists(file))(host.fileExists.bind(host));
  host.getSourceFile = (file, language, onError, shouldCreate) =>
    path.resolve(file) === fileName ? ts.createSourceFile(file, source, language) : getSourceFile(file, language, onError, shouldCreate);
  const program = ts.createProgram([fileName], options, host);
  const sourceFile = program.getSourceFile(fileName)!;
  const sourceLines = source.split('\n');
  return ts.getPreEmitDiagnostics(program, sourceFile).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file && d.start !== undefined) {
      const { line } = d.file.getLineAndCharacterOfPosition(d.start);
      const label = [...sourceLines.slice(0, line + 1)].reverse().find((l) => l.startsWith('// ')) ?? '';
      return `${label.slice(3)}: ${sourceLines[line].trim()} -> ${message}`;
    }
    return message;
  });
}
