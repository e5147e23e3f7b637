/* Force-included (-include) into the C client's C sources by compat-tests/c/run.sh: ZooKeeper 3.8.0's
 * src/zookeeper.c calls FIPS_mode(), which OpenSSL 3 removed; this is its OpenSSL 3 equivalent. */
#include <openssl/evp.h>
#define FIPS_mode() EVP_default_properties_is_fips_enabled(NULL)
