/* version.h — the one place the version lives. */
#ifndef ASSAY_CORE_VERSION_H
#define ASSAY_CORE_VERSION_H

#define ASSAY_VERSION "0.1.0"
#define ASSAY_A2A_PROTOCOL_VERSION "1.0"
#define ASSAY_MCP_PROTOCOL_VERSION "2025-11-25"

#endif
