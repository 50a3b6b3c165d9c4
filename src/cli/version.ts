// The CLI's version (printed by --version, and reported by the MCP server to its clients).
export const CLI_VERSION = '0.1.0';
