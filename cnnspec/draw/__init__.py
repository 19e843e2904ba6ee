"""cnnspec draw: figures of one layer derived from the reference and the formulas.

model: the figure model (what a figure shows; no matplotlib); render: drawing and saving
(matplotlib, imported on first use); gallery: the figures of spec/; extra: the volume and
receptive-field figures.
"""
