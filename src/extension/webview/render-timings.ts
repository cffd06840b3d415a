/** The last first-paint time each kind of panel reported (ms from receiving its data to drawing it). */
export const renderTimings = new Map<string, number>();
