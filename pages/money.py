"""CX in money — "What are our customers' experiences worth, and what is at risk?"
"""

import streamlit as st

st.title("CX in money")
