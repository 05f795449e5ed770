/* tpa_gw_assets.h - files embedded at build time (gateway/embed.cmake generates the
 * definitions from gateway/openapi.json and gateway/web/index.html). Each array has
 * a trailing NUL not counted in its _len. */
#ifndef TPA_GW_ASSETS_H
#define TPA_GW_ASSETS_H

#include <stddef.h>

extern const unsigned char tpa_gw_openapi_json[];
extern const size_t tpa_gw_openapi_json_len;
extern const unsigned char tpa_gw_index_html[];
extern const size_t tpa_gw_index_html_len;

#endif
