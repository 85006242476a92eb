"""Assumptions — "Which finance inputs stand behind every money figure, and who changed them?"
"""

import streamlit as st

st.title("Assumptions")
