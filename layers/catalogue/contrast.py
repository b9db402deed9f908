"""Whether two legend colours can be told apart, as drawn, also with colour-vision deficiency.

A fill is drawn at its layer's opacity over the basemap's land, so the colour a reader sees is
the blend (:func:`drawn`). Colour-vision deficiency is simulated with the full-severity
matrices of Machado, Oliveira and Fernandes (2009), "A physiologically-based model for
simulation of color vision deficiency", IEEE TVCG 15(6), applied to linear sRGB. The colour
difference is CIEDE2000 (Sharma, Wu and Dalal 2005, "The CIEDE2000 color-difference formula:
implementation notes"), in CIELAB under D65.
"""

from __future__ import annotations

import math

import numpy as np

#: Least CIEDE2000 difference between two legend colours that can appear together, for every
#: kind of vision checked (:data:`VISIONS`). About 10 reads as "clearly different" side by side.
MIN_DELTA_E = 10.0
#: Land of the Natural Earth basemap: what a translucent fill is drawn over (the live map, the
#: export and the print map use this colour).
LAND_COLOR = "#F4F1EA"
#: Outline of the basemap's countries, on the live map, the HTML export and the print map.
BASEMAP_STROKE = "#8A8A8A"

#: Linear-sRGB simulation matrices at full severity (Machado et al. 2009, table 1, ρ = 1.0).
CVD_MATRICES: dict[str, np.ndarray] = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
#: The kinds of vision every pair is checked under.
VISIONS = ("normal", *CVD_MATRICES)

_SRGB_TO_XYZ = np.array(
    [[0.4124564, 0.3575761, 0.1804375],
     [0.2126729, 0.7151522, 0.0721750],
     [0.0193339, 0.1191920, 0.9503041]]
)  # fmt: skip
_WHITE_D65 = np.array([0.95047, 1.0, 1.08883])


def rgb(color: str) -> np.ndarray:
    """``#RRGGBB`` → sRGB components in 0…1."""
    return np.array([int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)])


def hex_color(values: np.ndarray) -> str:
    """SRGB components in 0…1 → ``#RRGGBB`` (rounded, clipped)."""
    clipped = np.clip(np.round(np.asarray(values) * 255), 0, 255).astype(int)
    return "#" + "".join(f"{v:02X}" for v in clipped)


def drawn(color: str, opacity: float, under: str = LAND_COLOR) -> str:
    """The colour a fill of ``opacity`` shows over ``under`` (sRGB blending, as browsers do)."""
    return hex_color(opacity * rgb(color) + (1 - opacity) * rgb(under))


def _linear(srgb: np.ndarray) -> np.ndarray:
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _gamma(linear: np.ndarray) -> np.ndarray:
    linear = np.clip(linear, 0.0, 1.0)
    return np.where(linear <= 0.0031308, 12.92 * linear, 1.055 * linear ** (1 / 2.4) - 0.055)


def simulate(color: str, vision: str) -> str:
    """``color`` as seen with ``vision`` (``"normal"`` or a key of :data:`CVD_MATRICES`)."""
    if vision == "normal":
        return color
    return hex_color(_gamma(CVD_MATRICES[vision] @ _linear(rgb(color))))


def lab(color: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour."""
    xyz = _SRGB_TO_XYZ @ _linear(rgb(color)) / _WHITE_D65
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return float(116 * f[1] - 16), float(500 * (f[0] - f[1])), float(200 * (f[1] - f[2]))


def delta_e2000(one: str, other: str) -> float:
    """CIEDE2000 difference of two sRGB colours (kL = kC = kH = 1)."""
    return delta_e2000_lab(lab(one), lab(other))


def delta_e2000_lab(one: tuple[float, float, float], other: tuple[float, float, float]) -> float:
    """CIEDE2000 difference of two CIELAB colours (kL = kC = kH = 1)."""
    l1, a1, b1 = one
    l2, a2, b2 = other
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = (1 + g) * a1, (1 + g) * a2
    c1p, c2p = math.hypot(a1p, b1), math.hypot(a2p, b2)
    h1p = math.degrees(math.atan2(b1, a1p)) % 360 if c1p else 0.0
    h2p = math.degrees(math.atan2(b2, a2p)) % 360 if c2p else 0.0
    dl, dc = l2 - l1, c2p - c1p
    if c1p * c2p == 0:
        dh = 0.0
    elif abs(h2p - h1p) <= 180:
        dh = h2p - h1p
    else:
        dh = h2p - h1p - 360 if h2p > h1p else h2p - h1p + 360
    dhh = 2 * math.sqrt(c1p * c2p) * math.sin(math.radians(dh / 2))
    lp, cp = (l1 + l2) / 2, (c1p + c2p) / 2
    if c1p * c2p == 0:
        hp = h1p + h2p
    elif abs(h1p - h2p) <= 180:
        hp = (h1p + h2p) / 2
    else:
        hp = (h1p + h2p + 360) / 2 if h1p + h2p < 360 else (h1p + h2p - 360) / 2
    t = (
        1
        - 0.17 * math.cos(math.radians(hp - 30))
        + 0.24 * math.cos(math.radians(2 * hp))
        + 0.32 * math.cos(math.radians(3 * hp + 6))
        - 0.20 * math.cos(math.radians(4 * hp - 63))
    )
    d_theta = 30 * math.exp(-(((hp - 275) / 25) ** 2))
    rc = 2 * math.sqrt(cp**7 / (cp**7 + 25**7))
    sl = 1 + 0.015 * (lp - 50) ** 2 / math.sqrt(20 + (lp - 50) ** 2)
    sc = 1 + 0.045 * cp
    sh = 1 + 0.015 * cp * t
    rt = -math.sin(math.radians(2 * d_theta)) * rc
    return math.sqrt(
        (dl / sl) ** 2 + (dc / sc) ** 2 + (dhh / sh) ** 2 + rt * (dc / sc) * (dhh / sh)
    )


def least_difference(one: str, other: str) -> tuple[float, str]:
    """The smallest CIEDE2000 difference of two drawn colours over :data:`VISIONS`, and where.

    Returns
    -------
    tuple
        ``(difference, vision)``.
    """
    return min(
        (delta_e2000(simulate(one, vision), simulate(other, vision)), vision) for vision in VISIONS
    )
