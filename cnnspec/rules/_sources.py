"""Citations shared by the rule modules: the seed documents (by title, author and address,
never by a local file name), papers, framework docs."""

SEED_ML4A = ("'CNNはなぜ画像判別ができるのか' (Why CNNs can classify images), Japanese notes (author not "
             "given) after Gene Kogan's ml4a 'Convolutional neural networks', "
             "https://ml4a.github.io/ml4a/jp/convnets/")
SEED_INTUITION = ("'Convolution Neural Network : intuition', blog post (author and address not given), "
                  "after Stanford CS231n Lecture 5, https://www.youtube.com/watch?v=bNb2fEVKeEo, and "
                  "Andrew Ng's 'Convolutions Over Volume', https://www.coursera.org/learn/"
                  "convolutional-neural-networks/lecture/ctQZz/convolutions-over-volume")
SEED_CNN = ("'Convolutional Neural Network', notes (author not given) after Jason Brownlee, "
            "'How Do Convolutional Layers Work in Deep Learning Neural Networks?', "
            "https://machinelearningmastery.com/convolutional-layers-for-deep-learning-neural-networks/")
SEED_DS = ("Data Science Stack Exchange, answer 89461 to question 89438, "
           "https://datascience.stackexchange.com/a/89461")
SEED_HYLEE = ("Hung-yi Lee, 'Convolutional Neural Network', lecture slides, Machine Learning course, "
              "National Taiwan University, https://speech.ee.ntu.edu.tw/~hylee/")
DUMOULIN = "Dumoulin & Visin, 'A guide to convolution arithmetic for deep learning', arXiv:1603.07285"
TORCH_CONV = "PyTorch docs: torch.nn.Conv1d/2d/3d (shape formulas, groups, padding_mode)"
TORCH_CONVT = "PyTorch docs: torch.nn.ConvTranspose1d/2d/3d (output size, output_padding)"
TORCH_POOL = "PyTorch docs: torch.nn.MaxPool2d / AvgPool2d (ceil_mode, count_include_pad)"
ONNX_CONV = "ONNX operator spec: Conv, ConvTranspose (auto_pad SAME_UPPER / SAME_LOWER)"
ONNX_POOL = "ONNX operator spec: MaxPool, AveragePool (ceil_mode, count_include_pad)"
TF_SAME = "TensorFlow docs: tf.nn.convolution padding 'SAME' / 'VALID'"
ARAUJO = "Araujo, Norris & Sim, 'Computing Receptive Fields of Convolutional Neural Networks', Distill 2019"
HIGHAM = "Higham, 'Accuracy and Stability of Numerical Algorithms', 2nd ed., section 3.1 (gamma_n)"
