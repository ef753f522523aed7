/** Types for tools/build.mjs (plain JavaScript so `npm start` can run it without tsx). */
export declare const ROOT: string;
export declare const DIST: string;
export declare function buildState(root?: string): 'missing' | 'stale' | null;
export declare function build(options?: { root?: string; outDir?: string; stdio?: 'inherit' | 'pipe' | 'ignore' }): number;
