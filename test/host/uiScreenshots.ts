// Placeholder; the real flow follows.
export async function runUiScreenshots(_opts: { root: string; workspace: string; profile: string }): Promise<void> {}
