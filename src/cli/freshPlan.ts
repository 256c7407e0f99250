import { loadPlan, type LoadedPlan } from './planLoader';

/**
 * Loads a plan file so that every call gets fresh module state: plans keep the world they manage
 * in module-level objects (a cluster's state, an order), so running the same export N times in
 * one process needs N fresh copies of the plan's modules. Modules the load added to Node's cache
 * (outside node_modules) are dropped from it again once loaded.
 */
export function loadFreshPlan(file: string, exportName?: string, cwd = process.cwd()): LoadedPlan {
  const cache = require.cache;
  const before = new Set(Object.keys(cache));
  try {
    return loadPlan(file, exportName, cwd);
  } finally {
    for (const key of Object.keys(cache)) {
      if (!before.has(key) && !key.includes('/node_modules/') && !key.includes('\\node_modules\\')) delete cache[key];
    }
  }
}
