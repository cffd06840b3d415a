/**
 * The vscode-json-languageservice instance behind parsing, schema validation, completion and
 * hover. The schema is imported (esbuild inlines it into dist/server.js, so the bundle needs no
 * file next to it) and associated with every document: the client decides which files it sends
 * to this server (*.merino.json), so an untitled buffer in MeRino mode gets the schema too.
 */
import { type JSONSchema, type JSONWorkerContribution, type LanguageService, getLanguageService } from 'vscode-json-languageservice';
import schema from '../../schemas/merino.schema.json';

export const merinoSchema = schema as JSONSchema;
export const merinoSchemaUri = typeof schema.$id === 'string' ? schema.$id : 'merino://schemas/merino.schema.json';

export function createJsonService(contributions: JSONWorkerContribution[] = []): LanguageService {
  const service = getLanguageService({ contributions });
  service.configure({
    validate: true,
    allowComments: false,
    schemas: [{ uri: merinoSchemaUri, fileMatch: ['*'], schema: merinoSchema }],
  });
  return service;
}
