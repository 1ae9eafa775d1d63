// GPON payload capacity: what a G-PON carries of its clients' frames once the transmission convergence
// (GTC) layer has taken its overhead, upstream and downstream, as a closed form of the line rate, the
// number of ONUs and the client frame size. The line rate (1.24416 Gbit/s up) is not the payload rate.
//
// Sources, constant by constant (ITU-T G.984.3 (03/2008) "G-PON: Transmission convergence layer
// specification", clause 8 "GTC layer framing"; ITU-T G.984.2 (03/2003) "G-PON: Physical Media Dependent
// (PMD) layer specification"):
// - GTC frames last 125 us in both directions (G.984.3 clauses 8.1 and 8.2): 19 440 bytes at
//   1.24416 Gbit/s and 38 880 bytes at 2.48832 Gbit/s.
// - Upstream burst-mode overhead, guard time + preamble + delimiter, in bits (G.984.2 Appendix I,
//   "Allocation of the physical layer overhead time", Table I.1, the recommended values):
//     155.52 Mbit/s:  32 (guard 6, preamble 10, delimiter 16)
//     622.08 Mbit/s:  64 (guard 16, preamble 28, delimiter 20)
//    1244.16 Mbit/s:  96 (guard 32, preamble 44, delimiter 20), i.e. 12 bytes
//    2488.32 Mbit/s: 192 (guard 64, preamble 108, delimiter 20)
//   An upstream rate G.984.2 does not list takes the overhead of the listed rate nearest to it (by ratio).
// - Each burst's PLOu ends with a 3-byte header after the preamble and delimiter: BIP, ONU-ID, Ind
//   (G.984.3 clause 8.2). An allocation may also carry a PLOAMu message, 13 bytes (clause 8.2), and a
//   DBRu report, 2 bytes in mode 0: 1 byte of buffer occupancy and a CRC-8 (clauses 8.2 and 8.4), each
//   when the flags of its allocation structure in the BWmap ask for it; the model assumes both in every burst
//   (the most the OLT can ask outside ranging and power levelling; PLSu, 120 bytes, is left out).
// - Downstream PCBd (G.984.3 clause 8.1): Psync 4, Ident 4, PLOAMd 13, BIP 1, Plend 4 sent twice, and
//   an 8-byte allocation structure per upstream allocation in the US BWmap: 30 + 8 N bytes.
// - GEM (G.984.3 clause 8.3): a 5-byte header (PLI 12 bits, Port-ID 12, PTI 3, HEC 13) before every
//   client frame or fragment; a frame that does not fit the rest of an allocation (upstream) or of a GTC
//   frame (downstream) is fragmented and its remainder starts the next one behind a header of its own.
//   Ethernet frames are mapped from destination address to FCS (preamble and SFD are not carried).
// - FEC is off (optional in G.984.3; its RS(255,239) code would cost 16 bytes in every 255 more).
//
// The closed form. Upstream, N ONUs each send one burst per 125 us frame of F = R x 125 us / 8 bytes
// (every ONU with traffic granted every frame, one allocation per burst). A burst spends B = burst-mode
// overhead + PLOu header + PLOAMu + DBRu bytes (12 + 3 + 13 + 2 = 30 at 1.24416 Gbit/s) and leaves
// F / N - B bytes of GTC payload. Saturated, that payload is filled with GEM frames of client frames of
// L bytes: one 5-byte header per frame plus, on average, one for the fragment that continues a frame cut
// by the previous allocation's end. The client bytes per burst are therefore (F / N - B - 5) L / (L + 5)
// and the upstream efficiency is
//   eta_up(N, L) = (1 - N (B + 5) / F) x L / (L + 5),
// downstream, with one continuation header per GTC frame,
//   eta_down(N, L) = (1 - (30 + 8 N + 5) / F) x L / (L + 5).
// Averaged over where frames fall: a remainder of under 6 bytes at an allocation's end (no room for a
// header and a byte) is idle, which this ignores (at most 5 bytes per burst).
#pragma once

namespace citytwin::models::fibre {

inline constexpr double kGtcFrameS = 125e-6;                       // G.984.3 clause 8
inline constexpr double kGemHeaderBytes = 5.0;                     // G.984.3 clause 8.3
inline constexpr double kPlouHeaderBytes = 3.0;                    // BIP, ONU-ID, Ind: G.984.3 clause 8.2
inline constexpr double kPloamBytes = 13.0;                        // PLOAMu and PLOAMd: clauses 8.2, 8.1
inline constexpr double kDbruMode0Bytes = 2.0;                     // DBA report + CRC-8: clauses 8.2, 8.4
inline constexpr double kPcbdFixedBytes = 4 + 4 + 13 + 1 + 2 * 4;  // Psync Ident PLOAMd BIP 2xPlend
inline constexpr double kBwmapAllocationBytes = 8.0;               // one allocation structure: clause 8.1

// Guard time + preamble + delimiter at an upstream line rate, bits (G.984.2 Table I.1, above).
double gpon_burst_mode_overhead_bits(double upstream_line_bps);

struct GponUpstream {
  double line_rate_bps = 1.24416e9;  // G.984.2
  int onus = 32;                     // ONUs bursting in every 125 us frame
  bool ploamu_every_burst = true;
  bool dbru_every_burst = true;
};

// Bytes one burst spends before its GEM frames: burst-mode overhead, PLOu header, PLOAMu, DBRu.
double gpon_burst_overhead_bytes(const GponUpstream& upstream);
// Bytes a 125 us GTC frame holds at a line rate: F = R x 125 us / 8.
double gtc_frame_bytes(double line_rate_bps);
// Bytes of each upstream frame the N bursts spend on other than client frames: N (B + 5), the 5 for the GEM
// header of the fragment continued from the previous allocation. No payload is left when it reaches F.
double gpon_upstream_overhead_bytes(const GponUpstream& upstream);
// eta_up(N, L): the client bytes carried per line byte, with saturated ONUs sending frames of
// frame_bytes (> 0) each. Throws std::invalid_argument for a frame size <= 0, no ONU, a line rate <= 0,
// or bursts whose overheads fill the 125 us frame (no payload left).
double gpon_upstream_efficiency(const GponUpstream& upstream, double frame_bytes);
// eta_up x line rate: the client bits per second the upstream carries.
double gpon_upstream_payload_bps(const GponUpstream& upstream, double frame_bytes);

// eta_down(N, L), for a downstream line rate and `allocations` upstream allocations in the BWmap of
// every frame (one per bursting ONU); throws as gpon_upstream_efficiency does.
double gpon_downstream_efficiency(double line_rate_bps, int allocations, double frame_bytes);
double gpon_downstream_payload_bps(double line_rate_bps, int allocations, double frame_bytes);

}  // namespace citytwin::models::fibre
