/**
 * The vscode-json-languageservice instance behind parsing, schema validation, completion and
 * hover. The schema is imported (esbuild inlines it into dist/server.js, so the bundle needs no
 * file next to it) and associated with every document: the client decides which files it sends
 * to this server (*.merino.json), so an untitled buffer in MeRino mode gets the schema too.
 * A document's own `"$schema"` (e.g. "../schemas/merino.schema.json", for other editors) is
 * answered with the same bundled schema: the server never reads files or the network for it,
 * and the schema always matches the semantics it is shipped with.
 */
import { type JSONSchema, type JSONWorkerContribution, type LanguageService, getLanguageService } from 'vscode-json-languageservice';
import schema from '../../schemas/merino.schema.json';

export const merinoSchema = schema as JSONSchema;
export const merinoSchemaUri = typeof schema.$id === 'string' ? schema.$id : 'merino://schemas/merino.schema.json';

export function createJsonService(contributions: JSONWorkerContribution[] = []): LanguageService {
  const text = JSON.stringify(merinoSchema);
  const service = getLanguageService({
    contributions,
    schemaRequestService: () => Promise.resolve(text),
    workspaceContext: { resolveRelativePath: (relative, resource) => new URL(relative, resource).href },
  });
  service.configure({
    validate: true,
    allowComments: false,
    schemas: [{ uri: merinoSchemaUri, fileMatch: ['*'], schema: merinoSchema }],
  });
  return service;
}
