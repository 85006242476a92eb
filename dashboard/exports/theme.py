"""The charts' palette and font, shared by every figure module."""

#: One palette and font for every chart (the app theme lives in .streamlit/config.toml).
THEME = {
    "line": "#1f4e79",
    "band": "rgba(31, 78, 121, 0.18)",
    "target": "#b36b00",
    "low_base": "#8a8a8a",
    "font": "Source Sans Pro, Arial, sans-serif",
}
