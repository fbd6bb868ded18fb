"""A toy 'new-physics model' standing in for a spectrum calculator: the scan runs it once per point.

    python toy_model.py M0 M12 TANB    →  prints {"mh": ..., "omega": ...} as JSON

Three parameters give a Higgs-like mass m_h (measured: 125 ± 1 GeV) and a relic density Ω h²
(bounded above by 0.12). Where M12 > 1.5 M0 the toy spectrum is 'tachyonic': the program fails
with exit code 1, as real codes do, and the scan records the point as invalid.
"""
import json
import math
import sys

m0, m12, tanb = map(float, sys.argv[1:4])
if m12 > 1.5 * m0:
    sys.exit("tachyonic spectrum: no solution")
stop = math.sqrt(m0 * m12)
mh = 91.2 * abs(math.cos(2 * math.atan(tanb))) + 13.0 * math.log(stop / 100.0)
omega = 0.12 * (m12 / 800.0) ** 2 * (20.0 / tanb) ** 0.5
print(json.dumps({"mh": mh, "omega": omega}))
