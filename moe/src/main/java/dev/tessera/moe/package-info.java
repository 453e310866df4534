/** DeepSeek-style Mixture-of-Experts layers, routers, load balancing and the MoE transformer (built by the MoE issue). */
package dev.tessera.moe;
