import * as vscode from 'vscode';
import { readSettings, type Settings } from '../views/settings';

const SECTION = 'instrumentFirst';

/** The typed settings, re-read when they change; listeners get the old and the new value. */
export class Config implements vscode.Disposable {
  private current: Settings;
  private readonly emitter = new vscode.EventEmitter<{ previous: Settings; settings: Settings }>();
  private readonly listener: vscode.Disposable;
  readonly onDidChange = this.emitter.event;

  constructor() {
    this.current = Config.read();
    this.listener = vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SECTION)) return;
      const previous = this.current;
      this.current = Config.read();
      this.emitter.fire({ previous, settings: this.current });
    });
  }

  get settings(): Settings {
    return this.current;
  }

  /** Updates one setting in the user settings (inline mode and the like are personal preferences). */
  async update(key: string, value: unknown): Promise<void> {
    await vscode.workspace.getConfiguration(SECTION).update(key, value, vscode.ConfigurationTarget.Global);
  }

  private static read(): Settings {
    const c = vscode.workspace.getConfiguration(SECTION);
    return readSettings((key) => c.get(key));
  }

  dispose(): void {
    this.listener.dispose();
    this.emitter.dispose();
  }
}
