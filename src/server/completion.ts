/**
 * Completion: schema-driven (vscode-json-languageservice), plus device names for
 * budget.latency.device — the file's own `devices` first, then the presets — through the JSON
 * service's contribution hook, so they share its replace range and de-duplication.
 */
import type { CompletionsCollector, JSONPath, JSONWorkerContribution } from 'vscode-json-languageservice';
import { CompletionItemKind, type CompletionList, MarkupKind } from 'vscode-languageserver';
import { formatQuantity } from '../core/config/quantity';
import { DEVICE_PRESETS, type DeviceProfile, deviceNames, findDevice } from '../core/merino/device-profile';

/** The user-defined devices of the open document `uri` (empty when unknown or unusable). */
export type DevicesOf = (uri: string) => Readonly<Record<string, DeviceProfile>>;

export function deviceCompletions(devicesOf: DevicesOf): JSONWorkerContribution {
  const none = Promise.resolve();
  return {
    getInfoContribution: () => undefined as never,
    collectPropertyCompletions: () => none,
    collectDefaultCompletions: () => none,
    collectValueCompletions(uri: string, location: JSONPath, propertyKey: string, result: CompletionsCollector) {
      if (propertyKey !== 'device' || location.length !== 2 || location[0] !== 'budget' || location[1] !== 'latency') return none;
      const user = devicesOf(uri);
      deviceNames(user).forEach((name, i) => {
        const profile = findDevice(name, user)!;
        const preset = !Object.hasOwn(user, name) && Object.hasOwn(DEVICE_PRESETS, name);
        result.add({
          label: JSON.stringify(name),
          insertText: JSON.stringify(name),
          kind: CompletionItemKind.Value,
          detail: preset ? 'device preset' : 'device defined in this file',
          documentation: { kind: MarkupKind.Markdown, value: describeDevice(profile) },
          sortText: `${i.toString().padStart(3, '0')}`,
        });
      });
      return none;
    },
  };
}

/**
 * Puts device names in deviceNames order (the file's devices, then the presets): a name the
 * schema also offers as an example was added first, without the contribution's sortText.
 */
export function orderDevices(list: CompletionList | null, user: Readonly<Record<string, DeviceProfile>>): CompletionList | null {
  if (!list) return list;
  const rank = new Map(deviceNames(user).map((name, i) => [JSON.stringify(name), i]));
  for (const item of list.items) {
    const i = rank.get(item.label);
    if (i !== undefined) item.sortText = i.toString().padStart(3, '0');
  }
  return list;
}

function describeDevice(p: DeviceProfile): string {
  const lines = [p.description ?? '', `peak ${formatQuantity(p.peakFlops)} FLOP/s, ${formatQuantity(p.memBandwidth)} B/s, ${p.bytesPerElement} B/element`];
  if (p.source) lines.push(`Source: ${p.source}`);
  return lines.filter(Boolean).join('\n\n');
}
