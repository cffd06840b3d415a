/** The tool version recorded in every report and in the metadata of every model MeRino writes. */
export const VERSION = '0.1.0';
