// The webview side of the VS Code API (acquireVsCodeApi may be called once per page).
interface VsCodeApi<S, M> {
  postMessage(message: M): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S, M>(): VsCodeApi<S, M>;

export function vscodeApi<S, M>(): VsCodeApi<S, M> {
  return acquireVsCodeApi<S, M>();
}

/** Shows an error inside the panel (never a blank pane) and reports it to the host. */
export function showPanelError(container: HTMLElement, message: string): void {
  container.dataset.state = 'error';
  container.replaceChildren(Object.assign(document.createElement('div'), { className: 'panel-error', textContent: message }));
}

/** Reads a theme colour (a --vscode-* CSS variable) as RGB, for canvas drawing. */
export function themeRgb(variable: string, fallback: [number, number, number]): [number, number, number] {
  const probe = document.createElement('div');
  probe.style.color = `var(${variable})`;
  document.body.appendChild(probe);
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(getComputedStyle(probe).color);
  probe.remove();
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : fallback;
}
